service {
  name = "api"
  port = 9000

  connect {
    sidecar_service {}
  }
}
