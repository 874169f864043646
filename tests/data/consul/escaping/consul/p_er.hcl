service {
  name = "péer"
  port = 81

  connect {
    sidecar_service {
      proxy {
        upstreams = [{
          destination_name = "we\"b\\svü☃ /x"
          local_bind_port  = 8081
        }]
      }
    }
  }
}
