# Placement rules: constraints at every level in each of jobspec2's forms,
# an affinity and a spread.
job "placed" {
  datacenters = ["dc1"]

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  constraint {
    distinct_hosts = true
  }

  affinity {
    attribute = "${node.datacenter}"
    value     = "dc1"
    weight    = 70
  }

  spread {
    attribute = "${meta.rack}"
    weight    = 50

    target "r1" {
      percent = 60
    }

    target "r2" {
      percent = 40
    }
  }

  group "db" {
    count = 3

    constraint {
      attribute = "${attr.consul.version}"
      version   = ">= 1.8.0"
    }

    constraint {
      distinct_property = "${meta.rack}"
      value             = "2"
    }

    task "db" {
      driver = "exec"

      config {
        command = "/usr/bin/db"
      }

      constraint {
        attribute = "${attr.cpu.arch}"
        operator  = "regexp"
        value     = "amd64|arm64"
      }
    }
  }
}
