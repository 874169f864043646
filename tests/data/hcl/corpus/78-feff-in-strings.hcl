# U+FEFF (a byte order mark) inside strings is an ordinary character: only
# one at the very start of the file is skipped. (No JSON string here starts
# with it: Qt 6.4's QJsonDocument::fromJson drops it there, which would blind
# the comparison with hcl2json's output.)
middle       = "a﻿b"
escaped      = "x\ufeffescaped"
after_interp = "${x}﻿"
between      = "${x}﻿${y}"
directive    = "%{if a}﻿%{endif}"
heredoc = <<EOT
first
﻿second
EOT
indented = <<-EOT
  first
  ﻿second
  EOT
labelled "x﻿label" {
  key = { "k﻿" = "${y}﻿" }
}
