variable "name" {
  type = string
}
variable "count" {
  type    = number
  default = 3
}
variable "enabled" {
  type    = bool
  default = true
}
variable "tags" {
  type    = list(string)
  default = ["a", "b"]
}
variable "ports" {
  type    = map(number)
  default = { http = 8080, grpc = 9090 }
}
variable "anything" {
  type = any
}
variable "settings" {
  type = object({
    name    = string
    retries = number
    tags    = set(string)
  })
}
variable "pairs" {
  type = tuple([string, number])
}
