"""Shapes for the workspace scan: classes, methods, docstrings and arithmetic."""
import math


class Circle:
    """A circle given by its radius."""

    def __init__(self, radius):
        self.radius = radius

    def area(self):
        """Return the area of the circle."""
        return math.pi * self.radius ** 2

    def perimeter(self):
        """Return the length of the circle's edge."""
        return 2 * math.pi * self.radius


class Square:
    """A square given by the length of its side."""

    def __init__(self, side):
        self.side = side

    def area(self):
        """Return the area of the square."""
        return self.side * self.side

    def perimeter(self):
        """Return the sum of the four sides."""
        return 4 * self.side


def largest(shapes):
    """Return the shape with the largest area, or None for no shapes."""
    best = None
    for shape in shapes:
        if best is None or shape.area() > best.area():
            best = shape
    return best


def total_area(shapes):
    """Add up the areas of all shapes."""
    return sum(shape.area() for shape in shapes)
