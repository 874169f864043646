service {
  name = "we\"b\\svü☃ /x"
  port = 80
  tags = ["quo\"te", "back\\slash", "tab\there", "line\nbreak", "🚀 rocket"]
  meta = {
    x-y         = "${NOMAD_PORT_http}"
    "has space" = "%%{if true}x%%{endif}"
    "q\"k"      = "$$${lit} and $${not a traversal}"
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
