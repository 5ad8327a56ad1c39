"""Code scanners: chip ID card QR parsing, QR decoding, serial/HID/camera scanners chosen by URL."""
