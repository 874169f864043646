# This file starts with a UTF-8 byte order mark.
job "bom" {
  datacenters = ["dc1"]
  name        = "café"
}
