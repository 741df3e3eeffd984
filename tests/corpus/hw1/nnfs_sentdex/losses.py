"""Style: "Neural Networks from Scratch in Python" losses: a common ``Loss`` class whose
``calculate(output, y)`` takes the mean of the per-sample losses returned by the subclass's
``forward``; backwards count ``samples = len(dvalues)`` and ``outputs`` per sample and
normalise twice (``/ outputs`` then ``/ samples``); BCE clips to [1e-7, 1 - 1e-7] on both
passes; the softmax classifier combines an ``Activation_Softmax`` and a categorical
cross-entropy object (``self.activation``, ``self.loss``) and its backward is
``dinputs = dvalues.copy(); dinputs[range(samples), y_true] -= 1; dinputs /= samples``.

Ported from Sentdex/nnfs_book:Chapter_15/Ch15_Final.py (Loss, Loss_CategoricalCrossentropy,
Activation_Softmax, Activation_Softmax_Loss_CategoricalCrossentropy) and the book's
Loss_BinaryCrossentropy / Loss_MeanSquaredError / Loss_MeanAbsoluteError.
Changes for the contract: forward(y_pred, y_true) returns the mean loss (the per-sample
function is ``sample_losses``) and backward() takes no arguments (the pair is stored);
``outputs`` is the number of elements per sample, so tensors of any rank average over
numel; the book's MAE gradient ``np.sign(y_true - dvalues)`` has the wrong sign (it is
``sign(dvalues - y_true)``); the categorical cross-entropy of the softmax output clipped to
1e-7 is wrong for large logits, so the loss is taken from the log-softmax.
"""

import torch


# Common loss class
class Loss:

    # Calculates the data loss
    # given model output and ground truth values
    def calculate(self, output, y):

        # Calculate sample losses
        sample_losses = self.sample_losses(output, y)

        # Calculate mean loss
        data_loss = torch.mean(sample_losses)

        # Return loss
        return data_loss

    def forward(self, y_pred, y_true):
        self.dvalues, self.y_true = y_pred, y_true
        return self.calculate(y_pred, y_true)

    def backward(self):
        self.gradient(self.dvalues, self.y_true)
        return self.dinputs


# Mean Squared Error loss
class MSELoss(Loss):  # L2 loss

    # Forward pass
    def sample_losses(self, y_pred, y_true):
        # Calculate loss
        sample_losses = torch.mean((y_true - y_pred) ** 2, dim=-1)
        # Return losses
        return sample_losses

    # Backward pass
    def gradient(self, dvalues, y_true):
        # Number of samples
        samples = len(dvalues)
        # Number of outputs in every sample
        outputs = dvalues.numel() // samples

        # Gradient on values
        self.dinputs = -2 * (y_true - dvalues) / outputs
        # Normalize gradient
        self.dinputs = self.dinputs / samples


# Mean Absolute Error loss
class MAELoss(Loss):  # L1 loss

    def sample_losses(self, y_pred, y_true):
        # Calculate loss
        sample_losses = torch.mean(torch.abs(y_true - y_pred), dim=-1)
        # Return losses
        return sample_losses

    # Backward pass
    def gradient(self, dvalues, y_true):
        # Number of samples
        samples = len(dvalues)
        # Number of outputs in every sample
        outputs = dvalues.numel() // samples

        # Calculate gradient
        self.dinputs = torch.sign(dvalues - y_true) / outputs
        # Normalize gradient
        self.dinputs = self.dinputs / samples


# Huber loss
class HuberLoss(Loss):

    def __init__(self, delta=1.0):
        self.delta = delta

    def sample_losses(self, y_pred, y_true):
        error = y_pred - y_true
        # Quadratic near zero, linear beyond delta
        losses = torch.where(torch.abs(error) <= self.delta, 0.5 * error ** 2,
                             self.delta * (torch.abs(error) - 0.5 * self.delta))
        return torch.mean(losses, dim=-1)

    def gradient(self, dvalues, y_true):
        samples = len(dvalues)
        outputs = dvalues.numel() // samples
        # Gradient is the error, clipped to [-delta, delta]
        self.dinputs = torch.clamp(dvalues - y_true, -self.delta, self.delta) / outputs
        self.dinputs = self.dinputs / samples


# Binary cross-entropy loss
class BCELoss(Loss):

    # Forward pass
    def sample_losses(self, y_pred, y_true):

        # Clip data to prevent division by 0
        # Clip both sides to not drag mean towards any value
        y_pred_clipped = torch.clip(y_pred, 1e-7, 1 - 1e-7)

        # Calculate sample-wise loss
        sample_losses = -(y_true * torch.log(y_pred_clipped) +
                          (1 - y_true) * torch.log(1 - y_pred_clipped))
        sample_losses = torch.mean(sample_losses, dim=-1)

        # Return losses
        return sample_losses

    # Backward pass
    def gradient(self, dvalues, y_true):

        # Number of samples
        samples = len(dvalues)
        # Number of outputs in every sample
        outputs = dvalues.numel() // samples

        # Clip data to prevent division by 0
        # Clip both sides to not drag mean towards any value
        clipped_dvalues = torch.clip(dvalues, 1e-7, 1 - 1e-7)

        # Calculate gradient
        self.dinputs = -(y_true / clipped_dvalues -
                         (1 - y_true) / (1 - clipped_dvalues)) / outputs
        # Normalize gradient
        self.dinputs = self.dinputs / samples


# Softmax activation
class Activation_Softmax:  # noqa: N801

    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs

        # Get unnormalized probabilities
        exp_values = torch.exp(inputs - torch.max(inputs, dim=1, keepdim=True).values)
        # Normalize them for each sample
        probabilities = exp_values / torch.sum(exp_values, dim=1, keepdim=True)

        self.output = probabilities


# Cross-entropy loss
class Loss_CategoricalCrossentropy(Loss):  # noqa: N801

    # Forward pass: the negative log-likelihood of the logits' log-softmax
    def sample_losses(self, logits, y_true):

        # Number of samples in a batch
        samples = len(logits)

        shifted = logits - torch.max(logits, dim=1, keepdim=True).values
        log_probabilities = shifted - torch.log(torch.sum(torch.exp(shifted), dim=1, keepdim=True))

        # Probabilities for target values -
        # only if categorical labels
        correct_log_confidences = log_probabilities[range(samples), y_true]

        # Losses
        negative_log_likelihoods = -correct_log_confidences
        return negative_log_likelihoods


# Softmax classifier - combined Softmax activation
# and cross-entropy loss for faster backward step
class SoftmaxCELoss():  # noqa: UP039

    # Creates activation and loss function objects
    def __init__(self):
        self.activation = Activation_Softmax()
        self.loss = Loss_CategoricalCrossentropy()

    # Forward pass
    def forward(self, inputs, y_true):
        # Output layer's activation function
        self.activation.forward(inputs)
        # Set the output
        self.output = self.activation.output
        self.y_true = y_true
        # Calculate and return loss value
        return self.loss.calculate(inputs, y_true)

    # Backward pass
    def backward(self):
        dvalues, y_true = self.output, self.y_true

        # Number of samples
        samples = len(dvalues)

        # Copy so we can safely modify
        self.dinputs = dvalues.clone()
        # Calculate gradient
        self.dinputs[range(samples), y_true] -= 1
        # Normalize gradient
        self.dinputs = self.dinputs / samples
        return self.dinputs
