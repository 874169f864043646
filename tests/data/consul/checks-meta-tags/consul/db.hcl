service {
  name = "db"
  port = 5432

  check {
    tcp      = "localhost:5432"
    interval = "30s"
    timeout  = "5s"
  }

  connect {
    sidecar_service {}
  }
}
