"""Automatic follow-up of actions (*uppföljning*): effect, displacement and return."""
