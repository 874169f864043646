locals {
  ports = [
    { port = 8080, label = "http" },
    { port = 9090, label = "metrics" },
  ]
}

job "dynamic" {
  datacenters = ["dc1"]

  group "g" {
    network {
      dynamic "port" {
        for_each = local.ports
        labels   = [port.value.label]
        content {
          to = port.value.port
        }
      }
    }

    dynamic "task" {
      for_each = ["a", "b"]
      iterator = name
      labels   = ["worker-${name.value}"]
      content {
        driver = "exec"
        config {
          command = "/bin/worker"
          args    = ["--id", name.key]
        }
      }
    }
  }
}
