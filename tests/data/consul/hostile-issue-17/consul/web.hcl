service {
  name = "web"
  port = 8080
  meta = {
    team = "team-\u0024{{"
  }

  check {
    http     = "http://localhost:8080/health}}"
    interval = "10s"
    timeout  = "2s"
  }

  connect {
    sidecar_service {}
  }
}
