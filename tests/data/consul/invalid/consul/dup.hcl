service {
  name = "dup"

  connect {
    sidecar_service {
      proxy {
        upstreams = [{
          destination_name = "dup"
        }]
      }
    }
  }
}
