"""Reader participation: comments on products and guides, and the newsletter.

Empty for now; comments and newsletter sign-up land in later issues
(RELIABILITY.md sections A and B set their bar).
"""
