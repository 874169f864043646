content-type = "application/json"
max-size     = 10
my-block "label-with-dash" {
  inner-attr = true
  nested-block {
    x-y-z = "xyz"
  }
}
refs = [content-type, max-size]
minus = a - b
tight_minus = a-b
