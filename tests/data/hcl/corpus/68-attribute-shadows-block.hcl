# An attribute and a block of the same name are both legal HCL; in the JSON
# form the attribute wins (hcl2json writes blocks first, then attributes).
meta = {
  source = "attribute"
}
meta {
  source = "block"
}
env {
  A = "block only"
}
