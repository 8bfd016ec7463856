"""The conference day: badges with their QR codes, the check-in desk, attendance at the
workshop doors, visa invitation letters and certificates of attendance."""
