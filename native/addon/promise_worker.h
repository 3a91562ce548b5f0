// The one AsyncWorker every binding uses: runs a parsed Job ("baton") on a libuv worker
// thread and settles a Promise. A Job has `void run()` (no JS inside) and
// `std::string failure() const` (empty on success, else a RangeError message).
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "args.h"

namespace facecore::addon {

// Runs a job on the calling (JS) thread: the synchronous form of a binding.
template <class Job>
Napi::Value RunNow(Napi::Env env, Job& job) {
  job.run();
  const std::string failure = job.failure();
  if (!failure.empty()) throw_range(env, failure);
  return env.Undefined();
}

template <class Job>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  // Queues the job; the worker deletes itself when done. The JS arrays held by `keep`
  // stay referenced until then.
  static Napi::Promise Start(Napi::Env env, const char* name, std::unique_ptr<Job> job,
                             std::unique_ptr<KeepAlive> keep) {
    auto* worker = new PromiseWorker(env, name, std::move(job), std::move(keep));
    Napi::Promise promise = worker->deferred_.Promise();
    worker->Queue();
    return promise;
  }

  void Execute() override {
    job_->run();
    message_ = job_->failure();
  }
  void OnOK() override {
    if (message_.empty()) deferred_.Resolve(Env().Undefined());
    else deferred_.Reject(Napi::RangeError::New(Env(), message_).Value());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  PromiseWorker(Napi::Env env, const char* name, std::unique_ptr<Job> job, std::unique_ptr<KeepAlive> keep)
      : Napi::AsyncWorker(env, name),
        deferred_(Napi::Promise::Deferred::New(env)),
        job_(std::move(job)),
        keep_(std::move(keep)) {}

  Napi::Promise::Deferred deferred_;
  std::unique_ptr<Job> job_;
  std::unique_ptr<KeepAlive> keep_;
  std::string message_;
};

}  // namespace facecore::addon
