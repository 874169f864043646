job "lifecycle" {
  datacenters = ["dc1"]

  group "app" {
    task "init-db" {
      lifecycle {
        hook    = "prestart"
        sidecar = false
      }
      driver = "exec"
      config {
        command = "/bin/migrate"
        args    = ["up"]
      }
    }
    task "log-shipper" {
      lifecycle {
        hook    = "poststart"
        sidecar = true
      }
      driver = "exec"
      config {
        command = "/bin/ship"
      }
    }
    task "main" {
      leader = true
      driver = "exec"
      config {
        command = "/bin/app"
      }
      resources {
        cpu        = 200
        memory     = 128
        memory_max = 256
      }
    }
  }
}
