service {
  name = "frontend"
  port = 8000

  connect {
    sidecar_service {
      proxy {
        upstreams = [{
          destination_name = "api"
          local_bind_port  = 9100
        }]
      }
    }
  }
}
