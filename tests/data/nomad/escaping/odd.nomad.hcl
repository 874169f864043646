job "odd" {
  datacenters = ["dc1"]

  group "odd" {
    network {
      mode = "bridge"
    }

    service {
      name = "odd"
      port = "9000"
      tags = ["say \"hi\"", "C:\\dir\\", "line1\nline2\ttab\r", "grüße ✓ 𝄞 日本", "%%{if x}literal%%{endif}", "${NOMAD_PORT_http}", "http://${NOMAD_UPSTREAM_ADDR_count-api}/x", "$$${escaped} %%%{too}", "$${not an expression", "$${a + b}", "$$$${x}", "100% $", "", "\u0001\u007f"]

      meta {
        m0  = "say \"hi\""
        m1  = "C:\\dir\\"
        m2  = "line1\nline2\ttab\r"
        m3  = "grüße ✓ 𝄞 日本"
        m4  = "%%{if x}literal%%{endif}"
        m5  = "${NOMAD_PORT_http}"
        m6  = "http://${NOMAD_UPSTREAM_ADDR_count-api}/x"
        m7  = "$$${escaped} %%%{too}"
        m8  = "$${not an expression"
        m9  = "$${a + b}"
        m10 = "$$$${x}"
        m11 = "100% $"
        m12 = ""
        m13 = "\u0001\u007f"
      }

      connect {
        sidecar_service {}
      }
    }

    task "odd" {
      driver = "exec"

      config {
        command = "/opt/my app/bin \"x\""
        args    = ["say \"hi\"", "C:\\dir\\", "line1\nline2\ttab\r", "grüße ✓ 𝄞 日本", "%%{if x}literal%%{endif}", "${NOMAD_PORT_http}", "http://${NOMAD_UPSTREAM_ADDR_count-api}/x", "$$${escaped} %%%{too}", "$${not an expression", "$${a + b}", "$$$${x}", "100% $", "", "\u0001\u007f"]
      }

      env = {
        V0    = "say \"hi\""
        V1    = "C:\\dir\\"
        V2    = "line1\nline2\ttab\r"
        V3    = "grüße ✓ 𝄞 日本"
        V4    = "%%{if x}literal%%{endif}"
        V5    = "${NOMAD_PORT_http}"
        V6    = "http://${NOMAD_UPSTREAM_ADDR_count-api}/x"
        V7    = "$$${escaped} %%%{too}"
        V8    = "$${not an expression"
        V9    = "$${a + b}"
        V10   = "$$$${x}"
        V11   = "100% $"
        V12   = ""
        V13   = "\u0001\u007f"
        "a.b" = "dotted key, so the map form"
      }
    }
  }
}
