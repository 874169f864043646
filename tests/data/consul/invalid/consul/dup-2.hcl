service {
  name = "dup"

  connect {
    sidecar_service {}
  }
}
