empty           = []
one             = [1]
trailing_comma  = [1, 2, 3,]
strings         = ["a", "b", "c"]
mixed           = [1, "two", true, null, 1.5]
nested          = [[1, 2], [3, [4, [5]]], []]
multi_line = [
  "first",
  "second",
  "third"
]
multi_line_trailing = [
  1,
  2,
]
newlines_inside = [
  1,

  2
  , 3
]
of_objects = [{ a = 1 }, { b = 2 }]
expressions = [a, b.c, d[0], e(), 1 + 2]
