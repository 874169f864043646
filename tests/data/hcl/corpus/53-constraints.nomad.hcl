job "constrained" {
  datacenters = ["dc1"]

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }
  constraint {
    attribute = "${meta.rack}"
    operator  = "regexp"
    value     = "r[0-9]+"
  }
  constraint {
    operator = "distinct_hosts"
    value    = "true"
  }
  affinity {
    attribute = "${node.datacenter}"
    value     = "dc1"
    weight    = 100
  }
  spread {
    attribute = "${node.datacenter}"
    weight    = 50
    target "dc1" {
      percent = 70
    }
    target "dc2" {
      percent = 30
    }
  }

  group "g" {
    constraint {
      attribute = "${attr.cpu.arch}"
      operator  = "set_contains_any"
      value     = "amd64,arm64"
    }
    constraint {
      attribute = "${attr.driver.docker.version}"
      operator  = "version"
      value     = ">= 20.10"
    }
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/true"
      }
    }
  }
}
