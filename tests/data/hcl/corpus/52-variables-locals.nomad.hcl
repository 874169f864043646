variable "datacenters" {
  description = "Where the job may run."
  type        = list(string)
  default     = ["dc1"]
}
variable "image_tag" {
  type    = string
  default = "v3"
}
variable "replicas" {
  type    = number
  default = 2
}
variable "env" {
  type = map(string)
  default = {
    LOG_LEVEL = "info"
  }
}
locals {
  image   = "hashicorpdev/counter-api:${var.image_tag}"
  name    = "count-${var.image_tag}"
  tags    = [for dc in var.datacenters : "dc-${dc}"]
  by_name = { for k, v in var.env : lower(k) => v }
}
locals {
  extra = concat(local.tags, ["extra"])
}
job "vars" {
  datacenters = var.datacenters
  group "api" {
    count = var.replicas
    task "api" {
      driver = "docker"
      config {
        image = local.image
      }
      env = var.env
      meta = merge(local.by_name, { name = local.name })
    }
  }
}
