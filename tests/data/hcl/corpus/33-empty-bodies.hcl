empty {}
empty_spaced { }
empty_lines {

}
labelled "x" {}
nested {
  inner {}
  also_inner {
  }
}
with_comment {
  # nothing here
}
sidecar_service {}
