resources {
  cpu    = 500
  memory = 256
  ratio  = 0.75
}
ports = [8080, 8443, 9090]
timeouts = { connect = 1.5, read = 30, write = 2e1 }
arith = 1.5 * 2
scientific = [1e0, 1e1, 1e-1, 12.5e2, 0.0]
large = 1000000000000
