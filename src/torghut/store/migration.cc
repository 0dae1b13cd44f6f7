#include "torghut/store/migration.h"

#include <fmt/format.h>

namespace torghut::store {

Result<MigrationReport> RunMigrations(std::string component, std::string backend,
                                      const std::vector<MigrationStep>& steps,
                                      const MigrationExecutor& executor) {
  MigrationReport report;
  report.component = std::move(component);
  report.backend = std::move(backend);
  TORGHUT_ASSIGN_OR_RETURN(int current, executor.current_version());
  const int newest = steps.empty() ? 0 : steps.back().version;
  if (current > newest) {
    return FailedPrecondition(fmt::format(
        "{} store ({}) has schema v{}, newer than the v{} this torghut knows; upgrade torghut "
        "instead of migrating down",
        report.component, report.backend, current, newest));
  }
  report.from_version = current;
  for (const MigrationStep& step : steps) {
    if (step.version <= current) continue;
    if (Status s = executor.apply(step); !s.ok()) {
      return s.WithContext(fmt::format("{} store ({}) migration v{} ({})", report.component,
                                        report.backend, step.version, step.description));
    }
    report.applied.push_back(fmt::format("v{}: {}", step.version, step.description));
    current = step.version;
  }
  report.to_version = current;
  return report;
}

std::string DescribeMigration(const MigrationReport& r) {
  std::string head = fmt::format("{} ({}{}{})", r.component, r.backend, r.detail.empty() ? "" : ", ",
                                 r.detail);
  if (r.applied.empty()) return fmt::format("{}: schema v{}, up to date", head, r.to_version);
  std::string steps;
  for (const std::string& a : r.applied) steps += (steps.empty() ? "" : "; ") + a;
  return fmt::format("{}: schema v{} -> v{} ({})", head, r.from_version, r.to_version, steps);
}

}  // namespace torghut::store
