service {
  name = ".."
  port = 1

  connect {
    sidecar_service {}
  }
}
