"""`mapc demo`: a realistic sample of both CRMs for the local emulator."""
