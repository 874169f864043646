job "x" {
  datacenters ["dc1"]
}
