"""Test support code that is not a fixture: fakes of our own ports, helper programs."""
