#include "torghut/trader/order_sync.h"

#include "torghut/core/log.h"

namespace torghut::trader {

using trading::DecisionStatus;

void OrderSync::Track(const trading::Decision& d) {
  Known& k = known_[d.client_order_id];
  k.decision_hash = d.decision_hash;
  k.strategy = d.strategy_name;
  k.symbol = d.symbol;
  k.side = d.action;
}

Result<bool> OrderSync::Learn(std::string_view client_order_id) {
  if (known_.count(client_order_id) != 0) return true;
  // The client order id is derived from the decision hash; the decision says the rest.
  TORGHUT_ASSIGN_OR_RETURN(std::optional<trading::Execution> e,
                           store_->GetExecution(client_order_id));
  std::optional<trading::Decision> d;
  if (e) {
    TORGHUT_ASSIGN_OR_RETURN(d, store_->GetDecision(e->decision_hash));
  }
  if (!d) {
    // Not recorded as an execution yet (crash after the POST): find the decision by its id.
    TORGHUT_ASSIGN_OR_RETURN(
        std::vector<trading::Decision> claims,
        store_->ListDecisionsByStatus({DecisionStatus::kSubmitting, DecisionStatus::kPlanned}));
    for (const trading::Decision& c : claims) {
      if (c.client_order_id == client_order_id) d = c;
    }
  }
  if (!d) return false;
  Track(*d);
  if (e) {
    Known& k = known_[std::string(client_order_id)];
    TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Fill> fills,
                             store_->ListFills({0, INT64_MAX, k.strategy}));
    for (const trading::Fill& f : fills) {
      if (f.client_order_id == client_order_id) {
        k.recorded_fill_qty = k.recorded_fill_qty.Add(f.qty).value_or(k.recorded_fill_qty);
      }
    }
  }
  return true;
}

OrderSync::Known* OrderSync::Find(std::string_view client_order_id) {
  auto it = known_.find(client_order_id);
  return it == known_.end() ? nullptr : &it->second;
}

Status OrderSync::RecordFill(Known& k, const broker::BrokerOrder& o, const std::string& fill_id,
                             Decimal qty, Decimal price, trading::EpochMillis at) {
  trading::Fill f;
  f.fill_id = fill_id;
  f.client_order_id = o.client_order_id;
  f.strategy_name = k.strategy;
  f.symbol = o.symbol;
  f.side = o.side;
  f.qty = qty;
  f.price = price;
  f.filled_at = at;
  TORGHUT_ASSIGN_OR_RETURN(bool inserted, store_->InsertFill(f));
  if (!inserted) {
    ++counters_.duplicate_fills;
    return Status::Ok();
  }
  k.recorded_fill_qty = k.recorded_fill_qty.Add(qty).value_or(k.recorded_fill_qty);
  engine_->OnFill(f);
  portfolio_->OnFill(f);
  ++counters_.fills;
  return Status::Ok();
}

Status OrderSync::ApplyUpdate(const broker::TradeUpdate& u) {
  ++counters_.updates;
  const broker::BrokerOrder& o = u.order;
  TORGHUT_ASSIGN_OR_RETURN(bool ours, Learn(o.client_order_id));
  if (!ours) return Status::Ok();  // an order someone else placed on the account
  Known& k = *Find(o.client_order_id);
  if ((u.event == "fill" || u.event == "partial_fill") && u.qty && u.price) {
    // Never more than the order's own filled quantity (see the header).
    const Decimal room = o.filled_qty.Sub(k.recorded_fill_qty).value_or(Decimal());
    if (*u.qty <= room) {
      const std::string id =
          !u.execution_id.empty() ? u.execution_id : o.id + ":" + o.filled_qty.ToString();
      TORGHUT_RETURN_IF_ERROR(RecordFill(k, o, id, *u.qty, *u.price, u.timestamp));
    } else {
      ++counters_.duplicate_fills;
    }
  }
  return ApplyOrder(o);
}

Status OrderSync::ApplyOrder(const broker::BrokerOrder& o) {
  TORGHUT_ASSIGN_OR_RETURN(bool ours, Learn(o.client_order_id));
  if (!ours) return Status::Ok();
  Known& k = *Find(o.client_order_id);
  const trading::EpochMillis now = clock_->NowMillis();
  // Filled more than the fills recorded: a fill the stream did not deliver.
  const Decimal missing = o.filled_qty.Sub(k.recorded_fill_qty).value_or(Decimal());
  if (missing > Decimal() && o.filled_avg_price) {
    // Average price of the missing part: (avg × filled − what is recorded) / missing.
    TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Fill> fills,
                             store_->ListFills({0, INT64_MAX, k.strategy}));
    Decimal recorded_notional;
    for (const trading::Fill& f : fills) {
      if (f.client_order_id == o.client_order_id) {
        recorded_notional =
            recorded_notional.Add(f.qty.Mul(f.price).value_or(Decimal())).value_or(Decimal());
      }
    }
    const Decimal total = o.filled_avg_price->Mul(o.filled_qty).value_or(Decimal());
    Decimal price =
        total.Sub(recorded_notional).value_or(total).Div(missing).value_or(*o.filled_avg_price);
    price = price.RoundTo(4, RoundingMode::kHalfEven);
    TORGHUT_RETURN_IF_ERROR(RecordFill(k, o, o.id + ":" + o.filled_qty.ToString(), missing, price,
                                       o.filled_at.value_or(now)));
    ++counters_.reconciled_fills;
  }
  trading::Execution e;
  e.decision_hash = k.decision_hash;
  e.client_order_id = o.client_order_id;
  e.broker_order_id = o.id;
  e.symbol = o.symbol;
  e.side = o.side;
  e.order_type = o.type;
  e.time_in_force = o.time_in_force;
  e.submitted_qty = o.qty;
  e.limit_price = o.limit_price;
  e.filled_qty = o.filled_qty;
  e.avg_fill_price = o.filled_avg_price;
  e.status = o.status;
  e.submitted_at = o.submitted_at ? o.submitted_at : now;
  e.updated_at = now;
  TORGHUT_ASSIGN_OR_RETURN(std::optional<trading::Execution> stored,
                           store_->GetExecution(o.client_order_id));
  if (!stored) {
    // At the broker but never recorded: the process stopped between the POST and the record.
    TORGHUT_RETURN_IF_ERROR(store_->RecordSubmission(e, trading::DecisionStatusOf(o.status)));
    ++counters_.recorded_late;
  } else if (stored->status != o.status || stored->filled_qty != o.filled_qty ||
             !stored->broker_order_id) {
    TORGHUT_RETURN_IF_ERROR(store_->UpdateExecution(e));
    TORGHUT_ASSIGN_OR_RETURN(std::optional<trading::Decision> d,
                             store_->GetDecision(k.decision_hash));
    if (d) {
      TORGHUT_RETURN_IF_ERROR(store_->UpdateDecisionStatus(
          k.decision_hash, trading::DecisionStatusOf(o.status), d->risk_reasons, now));
    }
    ++counters_.status_changes;
  }
  if (trading::IsTerminal(o.status) && !k.done) {
    k.done = true;
    engine_->OnOrderDone(o.client_order_id);
  }
  return Status::Ok();
}

}  // namespace torghut::trader
