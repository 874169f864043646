service {
  name = "we\"b\\svü☃ /x"
  port = 80
  tags = ["quo\"te", "back\\slash", "tab\there", "line\nbreak", "🚀 rocket"]
  meta = {
    x-y         = "\u0024{NOMAD_PORT_http}"
    "has space" = "\u0025{if true}x\u0025{endif}"
    "q\"k"      = "$\u0024{lit} and \u0024{not a traversal}"
    "for"       = "keyword key"
    ctl         = "bell\u0007"
  }

  check {
    http     = "http://localhost:80/h?q=\"x\""
    interval = "10s"
    timeout  = "2s"
  }

  connect {
    sidecar_service {}
  }
}
