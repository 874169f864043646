service {
  name = "lonely"
  port = 6000

  connect {
    sidecar_service {}
  }
}
