job "encode" {
  datacenters = ["dc1"]
  type        = "batch"

  parameterized {
    payload       = "required"
    meta_required = ["input"]
    meta_optional = ["preset", "quality"]
  }

  group "encode" {
    task "ffmpeg" {
      driver = "exec"
      dispatch_payload {
        file = "settings.json"
      }
      config {
        command = "ffmpeg"
        args = [
          "-i", "${NOMAD_META_input}",
          "-preset", "${NOMAD_META_preset}",
          "${NOMAD_TASK_DIR}/out.mp4",
        ]
      }
    }
  }
}
