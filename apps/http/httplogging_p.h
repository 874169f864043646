#pragma once

#include <QLoggingCategory>

namespace apps::http {
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
} // namespace apps::http
