service {
  name = "web"
  port = 8080
  tags = ["v1", "canary"]
  meta = {
    version = "2"
    owner   = "team-a"
  }

  check {
    http     = "http://localhost:8080/healthz"
    interval = "1500ms"
    timeout  = "1s"
  }

  connect {
    sidecar_service {
      proxy {
        upstreams = [{
          destination_name   = "db"
          local_bind_port    = 15432
          local_bind_address = "127.0.0.2"
        }, {
          destination_name = "cache"
          local_bind_port  = 16379
        }]
      }
    }
  }
}
