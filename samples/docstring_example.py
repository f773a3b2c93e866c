class Rectangle:
    """An axis-aligned rectangle."""

    def __init__(self, width, height):
        self.width = width
        self.height = height

    def scale(self, factor):
        """Return a copy of this rectangle scaled by a factor.

        :param self: the rectangle to scale
        :param factor: how much to multiply the width and height by
        :returns: a new Rectangle
        """
        return Rectangle(self.width * factor, self.height * factor)

    def area(self):
        """Return the area of the rectangle."""
        return self.width * self.height
