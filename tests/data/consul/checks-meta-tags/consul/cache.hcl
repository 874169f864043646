service {
  name = "cache"
  port = 6379
}
