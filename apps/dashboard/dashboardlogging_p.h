#pragma once

#include <QLoggingCategory>

namespace apps::dashboard {
Q_DECLARE_LOGGING_CATEGORY(lcDashboard)
} // namespace apps::dashboard
