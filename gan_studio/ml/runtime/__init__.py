"""TensorFlow itself, shared by every ml/ folder: its quiet import, the device and precision
(`device`), and the release of custom gradients' graphs once traced (`custom_gradients`)."""
