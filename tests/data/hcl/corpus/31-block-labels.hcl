zero {
  n = 0
}
one "a" {
  n = 1
}
two "a" "b" {
  n = 2
}
three "a" "b" "c" {
  n = 3
}
ident_label foo {
  n = 1
}
ident_labels foo bar {
  n = 2
}
mixed_labels foo "bar" baz {
  n = 3
}
spaced_label "with space" {
  n = 1
}
escaped_label "tab\there" {
  n = 1
}
empty_label "" {
  n = 1
}
