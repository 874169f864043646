french   = "déjà vu à la carte"
german   = "Grüße aus Köln"
japanese = "こんにちは世界"
emoji    = "🚀 launch 🎉"
arabic   = "مرحبا"
combined = "e\u0301 vs é"
mixed    = "${name}→${target} ✓"
heredoc = <<EOT
ünïcödé heredoc — with “smart quotes” and … ellipsis
EOT
label "ラベル" {
  value = "値"
}
