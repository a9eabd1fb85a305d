"""Who gets which conversation: offers, accepting, assigning and transferring, capacity, presence, the distribution timer, and the lists and change feed agents read."""
