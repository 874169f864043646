service {
  name = "client"
  port = 9000

  connect {
    sidecar_service {
      proxy {
        upstreams = [{
          destination_name = "web"
          local_bind_port  = 18080
        }]
      }
    }
  }
}
