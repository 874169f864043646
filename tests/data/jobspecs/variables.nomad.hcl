# A job parameterised the jobspec2 way: typed variables with defaults,
# locals built from them (one defined before the local it uses), functions.
variable "datacenters" {
  type        = list(string)
  description = "Where to run."
  default     = ["dc1", "dc2"]
}

variable "replicas" {
  type    = number
  default = 2
}

variable "image_tag" {
  default = "1.4.2"
}

variables {
  team = "payments"
}

locals {
  image = "registry.local/${local.name}:${var.image_tag}"
  name  = "ledger"
  tags  = [upper(var.team), "v${var.image_tag}"]
}

job "ledger" {
  datacenters = var.datacenters

  meta = {
    team = var.team
  }

  group "ledger" {
    count = var.replicas

    network {
      mode = "bridge"
    }

    service {
      name = local.name
      port = "7000"
      tags = local.tags

      connect {
        sidecar_service {}
      }
    }

    task "ledger" {
      driver = "docker"

      config {
        image = local.image
        ports = ["http"]
      }

      env {
        REPLICAS = var.replicas
        REGION   = "${node.region}"
      }
    }
  }
}
