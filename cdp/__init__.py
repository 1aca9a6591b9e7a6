"""Command-line helpers of the warehouse-native customer identity layer."""

__version__ = "0.1.0"
