service {
  name = ""

  connect {
    sidecar_service {
      proxy {
        upstreams = [{
          destination_name = "dup"
          local_bind_port  = 1002
        }, {
          destination_name = "dup"
          local_bind_port  = 1003
        }]
      }
    }
  }
}
