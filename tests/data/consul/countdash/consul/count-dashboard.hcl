service {
  name = "count-dashboard"
  port = 9002

  connect {
    sidecar_service {
      proxy {
        upstreams = [{
          destination_name = "count-api"
          local_bind_port  = 8080
        }]
      }
    }
  }
}
